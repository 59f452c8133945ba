-- The heatmap cells of a page (all devices) hold every click with a position on that page:
-- per page path, the sum of rpt_click_heatmap.n_clicks (and n_error_clicks) equals the clicks
-- of int_clicks_rage_flagged with click_x and click_y set.
with

heatmap as (
    select
        page_path,
        sum(n_clicks) as n_clicks,
        sum(n_error_clicks) as n_error_clicks
    from {{ ref('rpt_click_heatmap') }}
    group by page_path
),

positioned_clicks as (
    select
        page_path,
        count(*) as n_clicks,
        count(case when is_error_click then 1 end) as n_error_clicks
    from {{ ref('int_clicks_rage_flagged') }}
    where
        page_path is not null
        and click_x is not null
        and click_y is not null
    group by page_path
)

select
    positioned_clicks.page_path,
    positioned_clicks.n_clicks,
    heatmap.n_clicks as heatmap_n_clicks
from positioned_clicks
full outer join heatmap
    on positioned_clicks.page_path = heatmap.page_path
where
    heatmap.page_path is null
    or positioned_clicks.page_path is null
    or heatmap.n_clicks != positioned_clicks.n_clicks
    or heatmap.n_error_clicks != positioned_clicks.n_error_clicks

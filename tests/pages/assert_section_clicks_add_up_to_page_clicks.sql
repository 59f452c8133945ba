-- The sections of a page add up to the page: clicks, error clicks and rage clicks of
-- rpt_page_section_friction summed per page equal rpt_page_friction's (a page with clicks has
-- sections, a page without has none).
with

sections as (
    select
        page_path,
        sum(n_clicks) as n_clicks,
        sum(n_error_clicks) as n_error_clicks,
        sum(n_rage_clicks) as n_rage_clicks
    from {{ ref('rpt_page_section_friction') }}
    group by page_path
),

pages as (
    select * from {{ ref('rpt_page_friction') }}
)

select
    pages.page_path,
    pages.n_clicks,
    sections.n_clicks as section_n_clicks
from pages
left join sections
    on pages.page_path = sections.page_path
where
    coalesce(sections.n_clicks, 0) != pages.n_clicks
    or coalesce(sections.n_error_clicks, 0) != pages.n_error_clicks
    or coalesce(sections.n_rage_clicks, 0) != pages.n_rage_clicks

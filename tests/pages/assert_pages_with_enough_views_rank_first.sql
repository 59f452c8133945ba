-- rpt_page_friction ranks every page with at least page_friction_min_page_views page views
-- before every page with fewer: returns a row when a sparsely viewed page outranks one.
with

ranks as (
    select
        max(case when has_min_page_views then friction_rank end) as last_ranked_with_views,
        min(case when not has_min_page_views then friction_rank end) as first_ranked_without
    from {{ ref('rpt_page_friction') }}
)

select *
from ranks
where last_ranked_with_views > first_ranked_without

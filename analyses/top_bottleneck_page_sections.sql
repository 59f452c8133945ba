-- The ten page sections where most persons hit trouble (an error click or a rage click),
-- with the page's own exit rate and median time on page beside them.
-- Worked example for analysts: join the section report to the page report on page_path;
-- rates are per page view of the page (rpt_page_section_friction), so the sections of a
-- page add up to the page's rates.
with

sections as (
    select
        page_path,
        page_section,
        n_clicks,
        n_error_clicks,
        n_rage_clicks,
        n_persons_affected,
        error_clicks_per_page_view,
        rage_clicks_per_page_view,
        section_friction_rank
    from {{ ref('rpt_page_section_friction') }}
),

pages as (
    select
        page_path,
        n_page_views,
        exit_rate,
        median_time_on_page_seconds
    from {{ ref('rpt_page_friction') }}
),

final as (
    select
        sections.section_friction_rank,
        sections.page_path,
        sections.page_section,
        sections.n_persons_affected,
        sections.n_clicks,
        sections.n_error_clicks,
        sections.n_rage_clicks,
        sections.error_clicks_per_page_view,
        sections.rage_clicks_per_page_view,
        pages.n_page_views,
        pages.exit_rate,
        pages.median_time_on_page_seconds
    from sections
    left join pages
        on sections.page_path = pages.page_path
    where sections.section_friction_rank <= 10
)

select * from final
order by section_friction_rank

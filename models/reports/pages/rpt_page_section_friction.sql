with

clicks as (
    select * from {{ ref('int_clicks_rage_flagged') }}
),

page_views as (
    select * from {{ ref('fct_page_views') }}
),

page_view_counts as (
    select
        page_path,
        count(*) as n_page_views
    from page_views
    where page_path is not null
    group by page_path
),

-- GA4 reports a missing dimension value as '(not set)'; so every click of a page has a
-- section and the sections of a page add up to it.
section_clicks as (
    select
        page_path,
        coalesce(element, '(not set)') as page_section,
        person_id,
        is_error_click,
        is_rage_click
    from clicks
    where page_path is not null
),

section_stats as (
    select
        page_path,
        page_section,
        count(*) as n_clicks,
        count(case when is_error_click then 1 end) as n_error_clicks,
        count(case when is_rage_click then 1 end) as n_rage_clicks,
        count(distinct person_id) as n_persons,
        count(
            distinct case when is_error_click or is_rage_click then person_id end
        ) as n_persons_affected
    from section_clicks
    group by page_path, page_section
),

section_rates as (
    select
        section_stats.*,
        coalesce(page_view_counts.n_page_views, 0) as n_page_views,
        {{ safe_divide('section_stats.n_error_clicks', 'page_view_counts.n_page_views') }}
            as error_clicks_per_page_view,
        {{ safe_divide('section_stats.n_rage_clicks', 'page_view_counts.n_page_views') }}
            as rage_clicks_per_page_view,
        {{ safe_divide('section_stats.n_error_clicks', 'section_stats.n_clicks') }}
            as error_click_share,
        {{ safe_divide('section_stats.n_rage_clicks', 'section_stats.n_clicks') }}
            as rage_click_share
    from section_stats
    left join page_view_counts
        on section_stats.page_path = page_view_counts.page_path
),

final as (
    select
        page_path,
        page_section,
        n_page_views,
        n_clicks,
        n_error_clicks,
        n_rage_clicks,
        n_persons,
        n_persons_affected,
        error_clicks_per_page_view,
        rage_clicks_per_page_view,
        error_click_share,
        rage_click_share,
        cast(row_number() over (
            order by
                n_persons_affected desc,
                n_error_clicks + n_rage_clicks desc,
                n_clicks desc,
                page_path asc,
                page_section asc
        ) as {{ dbt.type_bigint() }}) as section_friction_rank
    from section_rates
)

select * from final

with

page_views as (
    select * from {{ ref('fct_page_views') }}
),

clicks as (
    select * from {{ ref('int_clicks_rage_flagged') }}
),

page_view_stats as (
    select
        page_path,
        count(*) as n_page_views,
        count(case when is_exit then 1 end) as n_exits,
        {{ median('time_on_page_seconds') }} as median_time_on_page_seconds
    from page_views
    where page_path is not null
    group by page_path
),

click_stats as (
    select
        page_path,
        count(*) as n_clicks,
        count(case when is_error_click then 1 end) as n_error_clicks,
        count(case when is_rage_click then 1 end) as n_rage_clicks
    from clicks
    where page_path is not null
    group by page_path
),

pages as (
    select page_path from page_view_stats
    union
    select page_path from click_stats
),

page_stats as (
    select
        pages.page_path,
        coalesce(page_view_stats.n_page_views, 0) as n_page_views,
        coalesce(page_view_stats.n_exits, 0) as n_exits,
        coalesce(click_stats.n_clicks, 0) as n_clicks,
        coalesce(click_stats.n_error_clicks, 0) as n_error_clicks,
        coalesce(click_stats.n_rage_clicks, 0) as n_rage_clicks,
        page_view_stats.median_time_on_page_seconds
    from pages
    left join page_view_stats
        on pages.page_path = page_view_stats.page_path
    left join click_stats
        on pages.page_path = click_stats.page_path
),

page_rates as (
    select
        *,
        {{ safe_divide('n_error_clicks', 'n_page_views') }} as error_clicks_per_page_view,
        {{ safe_divide('n_rage_clicks', 'n_page_views') }} as rage_clicks_per_page_view,
        {{ safe_divide('n_exits', 'n_page_views') }} as exit_rate,
        {{ page_friction_score('n_error_clicks', 'n_rage_clicks', 'n_page_views') }}
            as friction_score,
        n_page_views >= {{ var('page_friction_min_page_views') }} as has_min_page_views
    from page_stats
),

final as (
    select
        page_path,
        n_page_views,
        n_clicks,
        n_error_clicks,
        n_rage_clicks,
        n_exits,
        error_clicks_per_page_view,
        rage_clicks_per_page_view,
        exit_rate,
        median_time_on_page_seconds,
        friction_score,
        has_min_page_views,
        cast(row_number() over (
            order by
                case when has_min_page_views then 0 else 1 end,
                friction_score desc nulls last,
                n_error_clicks + n_rage_clicks desc,
                n_page_views desc,
                page_path asc
        ) as {{ dbt.type_bigint() }}) as friction_rank
    from page_rates
)

select * from final

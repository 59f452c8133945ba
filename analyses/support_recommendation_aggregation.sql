-- Recommendation aggregation: how each kind of resource (Podcast, Blog, Video) performs.
-- Worked example for analysts: reads only marts (fct_support_recommendations), one row per
-- recommendation type. Averages are over recommendations, in floating point (never integer
-- division); recommendations to users with no session are kept and counted, not dropped.
-- The engagement comparison (recipients vs users given nothing) is ready-made in
-- reports.rpt_recommendation_performance.
with

recommendations as (
    select
        recommendation_id,
        user_id,
        recommendation_type,
        click_through_rate,
        feedback_score,
        is_user_known
    from {{ ref('fct_support_recommendations') }}
),

type_totals as (
    select
        recommendation_type,
        count(*) as n_recommendations,
        count(distinct user_id) as n_users,
        count(case when not is_user_known then 1 end) as n_unknown_user_recommendations,
        avg(click_through_rate) as avg_click_through_rate,
        avg(feedback_score) as avg_feedback_score
    from recommendations
    group by recommendation_type
),

all_totals as (
    select count(*) as n_recommendations from recommendations
),

final as (
    select
        type_totals.recommendation_type,
        type_totals.n_recommendations,
        type_totals.n_users,
        type_totals.avg_click_through_rate,
        type_totals.avg_feedback_score,
        -- shares as fractions 0-1 (safe_divide: 64-bit float, null on a zero denominator)
        {{ safe_divide('type_totals.n_recommendations', 'all_totals.n_recommendations') }}
            as recommendation_share_rate,
        {{ safe_divide(
            'type_totals.n_unknown_user_recommendations', 'type_totals.n_recommendations'
        ) }} as unknown_user_rate
    from type_totals
    cross join all_totals
)

select * from final
order by n_recommendations desc

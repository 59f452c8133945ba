-- Support engagement per user: sessions, "conversions" (sessions in which the user clicked
-- at least one recommended resource), average session time and engagement score.
-- Worked example for analysts: reads only marts (fct_support_sessions), one row per user
-- with at least one clean session. Rates are fractions 0-1 in floating point.
with

sessions as (
    select
        user_id,
        session_id,
        session_length_minutes,
        messages_sent,
        resources_clicked,
        n_user_recommendations,
        engagement_score
    from {{ ref('fct_support_sessions') }}
),

final as (
    select
        user_id,
        count(*) as n_sessions,
        count(case when resources_clicked > 0 then 1 end) as n_click_sessions,
        {{ safe_divide('count(case when resources_clicked > 0 then 1 end)', 'count(*)') }}
            as click_session_rate,
        avg(session_length_minutes) as avg_session_length_minutes,
        cast(sum(messages_sent) as {{ dbt.type_bigint() }}) as n_messages_sent,
        cast(sum(resources_clicked) as {{ dbt.type_bigint() }}) as n_resources_clicked,
        max(n_user_recommendations) as n_recommendations,
        avg(engagement_score) as avg_engagement_score
    from sessions
    group by user_id
)

select * from final
order by avg_engagement_score desc, user_id asc

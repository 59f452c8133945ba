with

sessions as (
    select * from {{ ref('fct_support_sessions') }}
),

final as (
    select
        session_week_start_date,
        count(*) as n_sessions,
        count(distinct user_id) as n_users,
        {{ exact_avg('session_length_minutes') }} as avg_session_length_minutes,
        {{ exact_avg('messages_sent') }} as avg_messages_sent,
        {{ exact_avg('feedback_rating') }} as avg_feedback_rating,
        cast(sum(resources_clicked) as {{ dbt.type_bigint() }}) as n_resources_clicked,
        {{ exact_avg('engagement_score') }} as avg_engagement_score,
        count(case when session_ctr_basis = 'per_recommendation' then 1 end)
            as n_sessions_with_recommendations,
        -- only sessions of users given recommendations: the per-minute fallback is another unit
        {{ exact_avg("case when session_ctr_basis = 'per_recommendation' then session_ctr end") }}
            as avg_clicks_per_recommendation
    from sessions
    group by session_week_start_date
)

select * from final

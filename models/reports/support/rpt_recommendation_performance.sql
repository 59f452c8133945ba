with

recommendations as (
    select * from {{ ref('fct_support_recommendations') }}
),

sessions as (
    select
        session_id,
        user_id,
        n_user_recommendations,
        engagement_score
    from {{ ref('fct_support_sessions') }}
),

recommendation_totals as (
    select
        recommendation_type,
        count(*) as n_recommendations,
        count(distinct user_id) as n_users,
        count(case when not is_user_known then 1 end) as n_unknown_user_recommendations,
        {{ exact_avg('click_through_rate') }} as avg_click_through_rate,
        {{ exact_avg('feedback_score') }} as avg_feedback_score
    from recommendations
    group by recommendation_type
),

type_recipients as (
    select distinct
        recommendation_type,
        user_id
    from recommendations
),

recipient_engagement as (
    -- sessions of the users who received at least one recommendation of the type
    select
        type_recipients.recommendation_type,
        count(*) as n_recipient_sessions,
        {{ exact_avg('sessions.engagement_score') }} as avg_recipient_engagement_score
    from type_recipients
    inner join sessions
        on type_recipients.user_id = sessions.user_id
    group by type_recipients.recommendation_type
),

non_recipient_engagement as (
    -- sessions of the users who received no recommendation of any type
    select
        count(*) as n_non_recipient_sessions,
        {{ exact_avg('engagement_score') }} as avg_non_recipient_engagement_score
    from sessions
    where n_user_recommendations = 0
),

final as (
    select
        recommendation_totals.recommendation_type,
        recommendation_totals.n_recommendations,
        recommendation_totals.n_users,
        recommendation_totals.n_unknown_user_recommendations,
        recommendation_totals.avg_click_through_rate,
        recommendation_totals.avg_feedback_score,
        coalesce(recipient_engagement.n_recipient_sessions, 0) as n_recipient_sessions,
        recipient_engagement.avg_recipient_engagement_score,
        non_recipient_engagement.n_non_recipient_sessions,
        non_recipient_engagement.avg_non_recipient_engagement_score,
        recipient_engagement.avg_recipient_engagement_score
        - non_recipient_engagement.avg_non_recipient_engagement_score as engagement_score_lift
    from recommendation_totals
    left join recipient_engagement
        on recommendation_totals.recommendation_type = recipient_engagement.recommendation_type
    cross join non_recipient_engagement
)

select * from final

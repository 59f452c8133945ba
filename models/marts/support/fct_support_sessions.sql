with

user_activity as (
    select
        session_id,
        user_id,
        session_started_at,
        session_length_minutes,
        messages_sent,
        feedback_rating,
        resources_clicked
    from {{ ref('stg_support__user_activity') }}
    where invalid_reason is null
),

recommendations as (
    select
        recommendation_id,
        user_id
    from {{ ref('stg_support__recommendations') }}
    where invalid_reason is null
),

user_recommendations as (
    select
        user_id,
        count(*) as n_recommendations
    from recommendations
    group by user_id
),

sessions_measured as (
    select
        user_activity.session_id,
        user_activity.user_id,
        user_activity.session_started_at,
        user_activity.session_length_minutes,
        user_activity.messages_sent,
        user_activity.feedback_rating,
        user_activity.resources_clicked,
        coalesce(user_recommendations.n_recommendations, 0) as n_user_recommendations
    from user_activity
    left join user_recommendations
        on user_activity.user_id = user_recommendations.user_id
),

-- click-through in floating point (the reference divided integers): per recommendation
-- given to the user, or per minute of session when the user was given none
sessions_click_through as (
    {{ support_session_ctr('sessions_measured') | indent(4) }}
),

-- the project's one scoring macro: min-max normalized components, weights as vars
engagement_scores as (
    {{ engagement_score(
        'sessions_click_through',
        weights=var('support_engagement_score_weights'),
        columns={
            'session_length': 'session_length_minutes',
            'messages_sent': 'messages_sent',
            'feedback_rating': 'feedback_rating',
            'resources_clicked': 'resources_clicked',
        },
        lower_is_better=[],
        normalization=var('engagement_score_normalization'),
        id_column='session_id'
    ) | indent(4) }}
),

final as (
    select
        sessions_click_through.session_id,
        sessions_click_through.user_id,
        sessions_click_through.session_started_at,
        cast(sessions_click_through.session_started_at as date) as session_date,
        cast(
            {{ dbt.date_trunc('week', 'sessions_click_through.session_started_at') }} as date
        ) as session_week_start_date,
        sessions_click_through.session_length_minutes,
        sessions_click_through.messages_sent,
        sessions_click_through.feedback_rating,
        sessions_click_through.resources_clicked,
        sessions_click_through.n_user_recommendations,
        sessions_click_through.session_ctr,
        sessions_click_through.session_ctr_basis,
        engagement_scores.engagement_score,
        engagement_scores.session_length_component as engagement_session_length_component,
        engagement_scores.messages_sent_component as engagement_messages_sent_component,
        engagement_scores.feedback_rating_component as engagement_feedback_rating_component,
        engagement_scores.resources_clicked_component
            as engagement_resources_clicked_component
    from sessions_click_through
    inner join engagement_scores
        on sessions_click_through.session_id = engagement_scores.session_id
)

select * from final

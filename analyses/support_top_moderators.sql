-- Top moderators: the ten best by performance score (dim_moderators, macro engagement_score).
-- Worked example for analysts: reads only marts. Response time counts AGAINST a moderator
-- (response_time_component is 1 for the fastest, 0 for the slowest) and every component is
-- normalized to 0-1 first, so chat_sessions_moderated (hundreds) does not drown a 1-5
-- satisfaction score. Change the weights with var moderator_score_weights.
with

moderators as (
    select
        moderator_id,
        performance_rank,
        performance_score,
        user_satisfaction_score,
        avg_response_time_seconds,
        chat_sessions_moderated,
        user_satisfaction_component,
        response_time_component,
        chat_sessions_component
    from {{ ref('dim_moderators') }}
),

final as (
    select
        moderator_id,
        performance_rank,
        performance_score,
        user_satisfaction_score,
        avg_response_time_seconds,
        chat_sessions_moderated,
        user_satisfaction_component,
        response_time_component,
        chat_sessions_component
    from moderators
    where performance_rank <= 10
)

select * from final
order by performance_rank, moderator_id

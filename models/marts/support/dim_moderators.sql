with

moderators as (
    select
        moderator_id,
        chat_sessions_moderated,
        avg_response_time_seconds,
        user_satisfaction_score
    from {{ ref('stg_support__moderator_performance') }}
    where invalid_reason is null
),

-- the project's one scoring macro; response time counts against the moderator (the
-- reference added it, rewarding slow responses) and every component is min-max
-- normalized, so the column with the largest scale does not dominate
performance_scores as (
    {{ engagement_score(
        'moderators',
        weights=var('moderator_score_weights'),
        columns={
            'user_satisfaction': 'user_satisfaction_score',
            'response_time': 'avg_response_time_seconds',
            'chat_sessions': 'chat_sessions_moderated',
        },
        lower_is_better=['response_time'],
        normalization=var('engagement_score_normalization'),
        id_column='moderator_id'
    ) | indent(4) }}
),

final as (
    select
        moderators.moderator_id,
        moderators.chat_sessions_moderated,
        moderators.avg_response_time_seconds,
        moderators.user_satisfaction_score,
        performance_scores.engagement_score as performance_score,
        performance_scores.user_satisfaction_component,
        performance_scores.response_time_component,
        performance_scores.chat_sessions_component,
        -- bigint on every engine (Spark's rank is an int): the contract
        cast(
            rank() over (order by performance_scores.engagement_score desc)
            as {{ dbt.type_bigint() }}
        )
            as performance_rank
    from moderators
    inner join performance_scores
        on moderators.moderator_id = performance_scores.moderator_id
)

select * from final

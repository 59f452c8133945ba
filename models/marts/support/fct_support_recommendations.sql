with

recommendations as (
    select
        recommendation_id,
        user_id,
        recommendation_type,
        click_through_rate,
        feedback_score
    from {{ ref('stg_support__recommendations') }}
    where invalid_reason is null
),

known_users as (
    select distinct user_id
    from {{ ref('stg_support__user_activity') }}
    where invalid_reason is null
),

final as (
    select
        recommendations.recommendation_id,
        recommendations.user_id,
        recommendations.recommendation_type,
        recommendations.click_through_rate,
        recommendations.feedback_score,
        known_users.user_id is not null as is_user_known
    from recommendations
    left join known_users
        on recommendations.user_id = known_users.user_id
)

select * from final

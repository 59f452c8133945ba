with

user_activity as (
    select * from {{ ref('stg_support__user_activity') }}
),

recommendations as (
    select * from {{ ref('stg_support__recommendations') }}
),

moderator_performance as (
    select * from {{ ref('stg_support__moderator_performance') }}
),

quarantined as (
    select
        'user_activity' as source_table,
        raw_row_id,
        session_id as record_id,
        invalid_reason,
        raw_values
    from user_activity
    where invalid_reason is not null
    union all
    select
        'recommendations' as source_table,
        raw_row_id,
        recommendation_id as record_id,
        invalid_reason,
        raw_values
    from recommendations
    where invalid_reason is not null
    union all
    select
        'moderator_performance' as source_table,
        raw_row_id,
        moderator_id as record_id,
        invalid_reason,
        raw_values
    from moderator_performance
    where invalid_reason is not null
),

final as (
    select
        source_table,
        raw_row_id,
        record_id,
        invalid_reason,
        raw_values
    from quarantined
)

select * from final

with

staged_events as (
    select * from {{ ref('stg_tracking__events') }}
),

final as (
    select
        raw_row_id,
        invalid_reason,
        event_id,
        anonymous_id,
        user_id,
        event_name_raw,
        occurred_at_raw,
        received_at_raw,
        page_url,
        click_x_raw,
        click_y_raw,
        revenue_raw,
        properties
    from staged_events
    where invalid_reason is not null
)

select * from final

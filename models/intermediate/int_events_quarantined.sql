with

staged_events as (
    select * from {{ ref('stg_tracking__events') }}
),

quarantined as (
    select
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
),

keyed as (
    select
        *,
        {{ surrogate_key([
            'invalid_reason', 'event_id', 'anonymous_id', 'user_id', 'event_name_raw',
            'occurred_at_raw', 'received_at_raw', 'page_url', 'click_x_raw', 'click_y_raw',
            'revenue_raw', 'properties'
        ]) }} as row_content_key
    from quarantined
),

final as (
    select
        {{ surrogate_key(['row_content_key', 'copy_number']) }} as quarantined_row_id,
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
    from (
        select
            *,
            row_number() over (partition by row_content_key order by row_content_key) as copy_number
        from keyed
    ) as numbered
)

select * from final

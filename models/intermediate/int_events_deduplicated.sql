{#- Incremental: the event_ids with a copy received since the last run are ranked again
    over all their valid copies (stored and new), so the first received copy still wins and
    n_duplicates counts every later copy; their rows are replaced (delete+insert). -#}
{{ config(materialized=incremental_materialization(), unique_key='event_id') }}

with

valid_events as (
    select * from {{ ref('stg_tracking__events') }}
    where invalid_reason is null
),

{% if is_incremental() %}
    -- the arrived ids are read from the table, not from valid_events: a CTE referenced
    -- twice is materialized (DuckDB, Postgres), a full copy of the staged events
    candidate_events as (
        select * from valid_events
        where event_id in (
            select arrived.event_id
            from {{ ref('stg_tracking__events') }} as arrived
            where
                arrived.invalid_reason is null
                and {{ received_since_last_run('arrived.received_at') }}
        )
    ),
{% else %}
    candidate_events as (
        select * from valid_events
    ),
{% endif %}

ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                received_at,
                occurred_at,
                anonymous_id nulls last,
                user_id nulls last,
                event_name,
                page_url nulls last
        ) as received_rank,
        count(*) over (partition by event_id) - 1 as n_duplicates
    from candidate_events
),

final as (
    select
        event_id,
        anonymous_id,
        user_id,
        tracker_session_id,
        event_name,
        occurred_at,
        received_at,
        page_url,
        page_host,
        page_path,
        referrer_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        device_type,
        country,
        element,
        click_x,
        click_y,
        feature_name,
        product_id,
        revenue,
        properties,
        n_duplicates
    from ranked
    where received_rank = 1
)

select * from final

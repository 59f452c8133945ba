{#- Incremental: the event_ids with a copy loaded since the last run are ranked again
    over all their valid copies (stored and new), so the first received copy still wins and
    n_duplicates counts every later copy (n_conflicting_duplicates those whose payload
    differs from the kept copy's); their rows are replaced (delete+insert). -#}
{{ config(materialized=incremental_materialization(), unique_key='event_id') }}

{#- The payload a dropped copy is compared on: every column of the event contract but
    event_id (the same by definition) and received_at (a re-delivery differs in it by nature),
    as staged (typed, event name normalized; the contract's session_id is tracker_session_id). -#}
{%- set payload_columns = [] -%}
{%- for column in event_contract_columns() if column.name not in ['event_id', 'received_at'] -%}
    {%- set staged_name = 'tracker_session_id' if column.name == 'session_id' else column.name -%}
    {%- do payload_columns.append(staged_name) -%}
{%- endfor %}

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
                and {{ loaded_since_last_run('arrived.loaded_at') }}
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
        row_number() over received_order as received_rank,
        count(*) over (partition by event_id) - 1 as n_duplicates,
        -- when the event's newest copy arrived: a new copy is a change downstream models see
        max(loaded_at) over (partition by event_id) as last_copy_loaded_at
    from candidate_events
    window received_order as (
        partition by event_id
        order by
            received_at,
            occurred_at,
            anonymous_id nulls last,
            user_id nulls last,
            event_name,
            page_url nulls last
    )
),

-- the payload comparison runs over the events with copies only (about 1%): at 1M events a
-- first_value per payload column over every event took 10.5-11.9 s and 1.4-1.5 GB, this
-- join 8.9-10.1 s and 1.3 GB (dbt run of the model, 2 cores)
duplicated_copies as (
    select * from ranked
    where n_duplicates > 0
),

conflicts as (
    -- a dropped copy conflicts when any payload column differs from the kept copy's
    -- (null-safe: two nulls are equal, a null and a value differ)
    select
        dropped.event_id,
        count(*) as n_conflicting_duplicates
    from duplicated_copies as dropped
    inner join duplicated_copies as kept
        on dropped.event_id = kept.event_id and kept.received_rank = 1
    where
        dropped.received_rank > 1
        and (
            {%- for column in payload_columns %}
                dropped.{{ column }} is distinct from kept.{{ column }}
                {{- ' or' if not loop.last }}
            {%- endfor %}
        )
    group by dropped.event_id
),

final as (
    select
        ranked.event_id,
        ranked.anonymous_id,
        ranked.user_id,
        ranked.tracker_session_id,
        ranked.event_name,
        ranked.occurred_at,
        ranked.received_at,
        ranked.last_copy_loaded_at as loaded_at,
        ranked.page_url,
        ranked.page_host,
        ranked.page_path,
        ranked.referrer_url,
        ranked.referrer_host,
        ranked.utm_source,
        ranked.utm_medium,
        ranked.utm_campaign,
        ranked.utm_content,
        ranked.utm_term,
        ranked.device_type,
        ranked.country,
        ranked.element,
        ranked.click_x,
        ranked.click_y,
        ranked.feature_name,
        ranked.product_id,
        ranked.revenue,
        ranked.properties,
        ranked.n_duplicates,
        coalesce(conflicts.n_conflicting_duplicates, 0) as n_conflicting_duplicates
    from ranked
    left join conflicts
        on ranked.event_id = conflicts.event_id
    where ranked.received_rank = 1
)

select * from final

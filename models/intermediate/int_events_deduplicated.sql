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
    -- kept_<column>: the payload of the copy ranked first (first_value over the same window
    -- as the rank, so it is the very row kept)
    select
        *,
        row_number() over received_order as received_rank,
        {%- for column in payload_columns %}
            first_value({{ column }}) over received_order as kept_{{ column }},
        {%- endfor %}
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

conflicts_counted as (
    -- a dropped copy conflicts when any payload column differs from the kept copy's
    -- (null-safe: two nulls are equal, a null and a value differ)
    select
        *,
        count(
            case
                when
                    received_rank > 1
                    and (
                        {%- for column in payload_columns %}
                            {{ column }} is distinct from kept_{{ column }}
                            {{- ' or' if not loop.last }}
                        {%- endfor %}
                    )
                    then 1
            end
        ) over (partition by event_id) as n_conflicting_duplicates
    from ranked
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
        last_copy_loaded_at as loaded_at,
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
        n_duplicates,
        n_conflicting_duplicates
    from conflicts_counted
    where received_rank = 1
)

select * from final

{#- Incremental: the event_ids with a copy loaded since the last run are ranked again
    over all their valid copies (stored and new), so the first received copy still wins and
    n_duplicates counts every later copy (n_conflicting_duplicates those whose payload
    differs from the kept copy's); their rows are replaced (delete+insert). -#}
{{ config(materialized='event_incremental', unique_key='event_id') }}

{#- The payload a dropped copy is compared on: every column of the event contract but
    event_id (the same by definition) and received_at (a re-delivery differs in it by nature),
    as staged (typed, event name normalized; the contract's session_id is tracker_session_id). -#}
{%- set payload_columns = [] -%}
{%- for column in event_contract_columns() if column.name not in ['event_id', 'received_at'] -%}
    {%- set staged_name = 'tracker_session_id' if column.name == 'session_id' else column.name -%}
    {%- do payload_columns.append(staged_name) -%}
{%- endfor %}
{#- The columns of a kept row, in order (loaded_at: when the event's newest copy arrived). -#}
{%- set kept_columns = [
    'event_id', 'anonymous_id', 'user_id', 'tracker_session_id', 'event_name', 'occurred_at',
    'received_at', 'loaded_at', 'page_url', 'page_host', 'page_path', 'referrer_url',
    'referrer_host', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
    'device_type', 'country', 'element', 'click_x', 'click_y', 'feature_name', 'product_id',
    'revenue', 'properties',
] %}

with

{% if is_incremental_build() %}
    -- the event_ids with a copy loaded since the last run: all their copies are ranked again
    arrived_event_ids as (
        select distinct event_id
        from {{ ref('stg_tracking__events') }}
        where invalid_reason is null and {{ loaded_since_last_run('loaded_at') }}
    ),
{% endif %}

-- Most events arrive once: only the event_ids with two or more valid copies are ranked,
-- and every other valid row is kept as it is (at 10M events, with ~1% duplicated, ranking
-- every row sorted 10M rows and joined them back to the staged rows). Each read of the
-- staged table is filtered where it is read, not through one shared CTE, which DuckDB and
-- Postgres would materialize: a full copy of the staged events.
duplicated_event_ids as (
    select event_id
    from {{ ref('stg_tracking__events') }}
    where
        invalid_reason is null
        {%- if is_incremental_build() %}
            and event_id in (select arrived_event_ids.event_id from arrived_event_ids)
        {%- endif %}
    group by event_id
    having count(*) > 1
),

-- the copies are ranked on the columns that order them only, and the kept copy's other
-- columns joined back once by raw_row_id; the window sorts narrow rows, as in macro
-- sessionize
candidate_keys as (
    select
        raw_row_id,
        event_id,
        received_at,
        occurred_at,
        anonymous_id,
        user_id,
        event_name,
        page_url,
        loaded_at
    from {{ ref('stg_tracking__events') }}
    where
        invalid_reason is null
        and event_id in (select duplicated_event_ids.event_id from duplicated_event_ids)
),

ranked as (
    select
        raw_row_id,
        event_id,
        row_number() over received_order as received_rank,
        count(*) over (partition by event_id) - 1 as n_duplicates,
        -- when the event's newest copy arrived: a new copy is a change downstream models see
        max(loaded_at) over (partition by event_id) as last_copy_loaded_at
    from candidate_keys
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

-- the payload comparison runs over the copies of duplicated events only
duplicated_copies as (
    select
        copies.*,
        ranked.received_rank
    from {{ ref('stg_tracking__events') }} as copies
    inner join ranked
        on copies.raw_row_id = ranked.raw_row_id
    where copies.event_id in (select duplicated_event_ids.event_id from duplicated_event_ids)
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

single_copies as (
    select
        {%- for column in kept_columns %}
            single.{{ column }},
        {%- endfor %}
        0 as n_duplicates,
        0 as n_conflicting_duplicates
    from {{ ref('stg_tracking__events') }} as single
    -- an anti join as a left join: DuckDB plans `not exists` here as a correlated (delim)
    -- join, 3x the cost
    left join duplicated_event_ids
        on single.event_id = duplicated_event_ids.event_id
    where
        single.invalid_reason is null
        and duplicated_event_ids.event_id is null
        {%- if is_incremental_build() %}
            and single.event_id in (select arrived_event_ids.event_id from arrived_event_ids)
        {%- endif %}
),

first_received_copies as (
    select
        {%- for column in kept_columns %}
            {%- if column == 'loaded_at' %}
                ranked.last_copy_loaded_at as loaded_at,
            {%- else %}
                kept.{{ column }},
            {%- endif %}
        {%- endfor %}
        ranked.n_duplicates,
        coalesce(conflicts.n_conflicting_duplicates, 0) as n_conflicting_duplicates
    from {{ ref('stg_tracking__events') }} as kept
    inner join ranked
        on kept.raw_row_id = ranked.raw_row_id
    left join conflicts
        on kept.event_id = conflicts.event_id
    where
        ranked.received_rank = 1
        and kept.event_id in (select duplicated_event_ids.event_id from duplicated_event_ids)
),

final as (
    select * from single_copies
    union all
    select * from first_received_copies
)

select * from final

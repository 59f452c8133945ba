{#- The session rule, in one place. `events` names a relation or CTE with one row per
    event and at least: event_id, person_id, occurred_at, tracker_session_id.

    A person's events are ordered by occurred_at (then event_id). A new session starts
    at a person's first event and after every gap strictly greater than
    session_timeout_minutes. A session is also cut into consecutive windows of
    session_max_length_hours counted from its first event, so no session spans the max
    length. Sessions are not split at midnight.

    With use_tracker_session_id, the tracker's session id is one more boundary, never a
    licence to skip the rule: the rule above runs on each (person, tracker session id)
    group of events (events without one form the person's own group), so two tracker
    session ids never share a session, and a tracker session id that never expires or
    is reused (a cookie that outlives the visit, a device id sent as session id) is still
    cut by the timeout and the max length. Such a split tracker session is flagged, never
    merged or dropped: fct_sessions.is_tracker_session_split, session_start_reason, and a
    warn-severity test counting them.

    Returns a select of every input column plus: occurred_at_ms, ms_since_previous_event
    (within the person's group, null for its first event), session_id (key of the person
    and the session's first event), event_index (1-based position in the session). A
    session's first event tells which rule started it: ms_since_previous_event null (the
    group's first event), greater than the timeout (inactivity), else the max length. The
    result depends only on each person's own events, so recomputing a subset of persons
    gives the same rows (the basis for incremental runs).

    Three window passes sort only the key columns (event_id, person_id, occurred_at, and
    tracker_session_id when used); the other columns join back once by event_id, which
    must be unique. Sorting the full rows through the windows took 1.7x as long at 10M
    events; at 100M every pass spills to disk, so there are as few as the rule allows.
    `events` is read twice (the keys, then the rows): pass a relation, not a CTE, where it
    holds every event, as DuckDB stores a CTE read twice in full (at 10M events the model
    took 57 s reading the view int_events_stitched twice, 75 s through a CTE). -#}
{% macro sessionize(events) -%}
    {%- set timeout_ms = var('session_timeout_minutes') * 60 * 1000 -%}
    {%- set max_length_ms = var('session_max_length_hours') * 60 * 60 * 1000 -%}
    {%- set by_tracker = var('use_tracker_session_id') -%}
    {#- the group of events the rule runs on: the person, or the person's tracker session -#}
    {%- set event_group = 'person_id, tracker_session_id' if by_tracker else 'person_id' -%}
    {%- set event_order = 'occurred_at, event_id' -%}
with

events_timed as (
    select
        event_id,
        person_id,
        {%- if by_tracker %}
        tracker_session_id,
        {%- endif %}
        occurred_at,
        {{ epoch_milliseconds('occurred_at') }} as occurred_at_ms
    from {{ events }}
),

events_with_gaps as (
    select
        *,
        occurred_at_ms - lag(occurred_at_ms) over (
            partition by {{ event_group }} order by {{ event_order }}
        ) as ms_since_previous_event
    from events_timed
),

activity_block_starts as (
    select
        *,
        case
            when ms_since_previous_event is null then 1
            when ms_since_previous_event > {{ timeout_ms }} then 1
            else 0
        end as is_activity_block_start
    from events_with_gaps
),

activity_blocks as (
    -- one pass: the block's number and its start (the latest block start so far)
    select
        *,
        sum(is_activity_block_start) over (
            partition by {{ event_group }} order by {{ event_order }}
            rows between unbounded preceding and current row
        ) as activity_block_number,
        max(case when is_activity_block_start = 1 then occurred_at_ms end) over (
            partition by {{ event_group }} order by {{ event_order }}
            rows between unbounded preceding and current row
        ) as activity_block_started_at_ms
    from activity_block_starts
),

length_windows as (
    select
        *,
        floor((occurred_at_ms - activity_block_started_at_ms) / {{ max_length_ms }})
            as length_window_number
    from activity_blocks
),

sessions_ordered as (
    select
        *,
        first_value(event_id) over (
            partition by {{ event_group }}, activity_block_number, length_window_number
            order by {{ event_order }}
        ) as session_first_event_id,
        row_number() over (
            partition by {{ event_group }}, activity_block_number, length_window_number
            order by {{ event_order }}
        ) as event_index
    from length_windows
)

select
    sessionize_input.*,
    sessions_ordered.occurred_at_ms,
    sessions_ordered.ms_since_previous_event,
    {{ surrogate_key(['sessions_ordered.person_id', 'sessions_ordered.session_first_event_id']) }}
        as session_id,
    sessions_ordered.event_index
from {{ events }} as sessionize_input
inner join sessions_ordered
    on sessionize_input.event_id = sessions_ordered.event_id
{%- endmacro %}

{#- Where an incremental run re-sessionizes each person it rebuilds, so that the rows it
    writes equal a full build's. `sessionized` is the stored int_events_sessionized;
    `persons` a relation of (person_id, changed_from) (macro incremental_affected_persons).

    A session never depends on events more than one timeout before its activity block's
    start (a gap longer than session_timeout_minutes, or the person's first event), and
    the max length counts from that start. So a change at changed_from leaves every block
    that starts before the latest stored block start at or before changed_from as it is:
    rebuild_from is that block start. read_from is the last stored event before it (the
    gap the first rebuilt event measures, seconds_since_previous_event): the events from
    read_from on are sessionized again, and those from rebuild_from on are written.

    Both are null, the whole history, when changed_from is null (a moved history), when no
    stored block starts at or before it (a new person, or a change before their first
    event), and with use_tracker_session_id, where a person's tracker sessions are separate
    groups whose blocks need not start at one time. -#}
{% macro session_rebuild_boundaries(sessionized, persons) -%}
    {%- set timeout_seconds = var('session_timeout_minutes') * 60 -%}
{%- if var('use_tracker_session_id') -%}
select
    person_id,
    cast(null as {{ dbt.type_timestamp() }}) as rebuild_from,
    cast(null as {{ dbt.type_timestamp() }}) as read_from
from {{ persons }}
{%- else -%}
with

block_starts as (
    select
        stored.person_id,
        max(stored.occurred_at) as rebuild_from
    from {{ sessionized }} as stored
    inner join {{ persons }} as persons
        on stored.person_id = persons.person_id
    where
        stored.occurred_at <= persons.changed_from
        and stored.event_index = 1
        and (
            stored.seconds_since_previous_event is null
            or stored.seconds_since_previous_event > {{ timeout_seconds }}
        )
    group by stored.person_id
),

previous_events as (
    select
        stored.person_id,
        max(stored.occurred_at) as read_from
    from {{ sessionized }} as stored
    inner join block_starts
        on stored.person_id = block_starts.person_id
    where stored.occurred_at < block_starts.rebuild_from
    group by stored.person_id
)

select
    persons.person_id,
    block_starts.rebuild_from,
    coalesce(previous_events.read_from, block_starts.rebuild_from) as read_from
from {{ persons }} as persons
left join block_starts
    on persons.person_id = block_starts.person_id
left join previous_events
    on persons.person_id = previous_events.person_id
{%- endif -%}
{%- endmacro %}

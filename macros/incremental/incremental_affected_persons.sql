{#- The persons an incremental run must rebuild, from `events` (a relation with one row
    per stitched event: event_id, person_id, anonymous_id, user_id, occurred_at, loaded_at)
    and `watermark` (a SQL timestamp expression, macro loaded_after: what the model already
    read, stored by the event_incremental materialization):
    - every person with an event loaded after the watermark;
    - for every anonymous_id seen with a user_id on such an event (a login that may re-map
      the device), the anonymous_id itself (its anonymous history moves to the user) and
      every user_id ever seen with it (the device's previous person loses that history);
    - with `stored` (the model's own rows: event_id, person_id, occurred_at), the stored
      person of each arrived event_id too (a later-delivered but earlier-received copy may
      replace the event, with another time or device).
    Returns a select of distinct person_id with changed_from: the earliest time a change
    touches the person's events (an arrived event's occurred_at, or that of the stored copy
    it replaces), null when the person's history moved (rebuild it whole). A superset is
    harmless: a person's rows depend only on the person's own events. -#}
{% macro incremental_affected_persons(events, watermark, stored=none) -%}
with

arrived_events as (
    select
        event_id,
        person_id,
        anonymous_id,
        user_id,
        occurred_at
    from {{ events }}
    where {{ loaded_after('loaded_at', watermark) }}
),

logged_in_devices as (
    select distinct anonymous_id
    from arrived_events
    where user_id is not null and anonymous_id is not null
),

device_users as (
    select distinct device_events.user_id
    from {{ events }} as device_events
    inner join logged_in_devices
        on device_events.anonymous_id = logged_in_devices.anonymous_id
    where device_events.user_id is not null
),

changes as (
    select
        person_id,
        occurred_at as changed_from
    from arrived_events
    {%- if stored is not none %}
    union all
    select
        stored.person_id,
        stored.occurred_at as changed_from
    from {{ stored }} as stored
    inner join arrived_events
        on stored.event_id = arrived_events.event_id
    {%- endif %}
    union all
    select
        anonymous_id as person_id,
        cast(null as {{ dbt.type_timestamp() }}) as changed_from
    from logged_in_devices
    union all
    select
        user_id as person_id,
        cast(null as {{ dbt.type_timestamp() }}) as changed_from
    from device_users
)

select
    person_id,
    -- any change without a time (a moved history) rebuilds the whole history
    case when count(*) = count(changed_from) then min(changed_from) end as changed_from
from changes
group by person_id
{%- endmacro %}

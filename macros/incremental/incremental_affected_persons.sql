{#- The persons an incremental run must rebuild, from `events` (a relation with one row
    per stitched event: person_id, anonymous_id, user_id, loaded_at): every person with
    an event loaded after `watermark` (a SQL timestamp expression, macro loaded_after: what
    the model already read, stored by the event_incremental materialization), and, for
    every anonymous_id seen with a user_id on such an event (a login that may re-map the
    device), the anonymous_id itself (its anonymous history moves to the user) and every
    user_id ever seen with it (the device's previous person loses that history). Returns a
    select of distinct person_id; a superset is harmless (a person's rows depend only on
    the person's own events). -#}
{% macro incremental_affected_persons(events, watermark) -%}
with

arrived_events as (
    select
        person_id,
        anonymous_id,
        user_id
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
)

select arrived_events.person_id from arrived_events
union
select logged_in_devices.anonymous_id as person_id from logged_in_devices
union
select device_users.user_id as person_id from device_users
{%- endmacro %}

{#- The events a model of incremental_strategy 'affected_persons' (materialization
    event_incremental) builds, as a select over the CTE `events` (one row per event with
    person_id): during an incremental run or a build in person buckets, only the events of
    the persons the materialization stored in build_persons_relation(); otherwise every
    event. -#}
{% macro affected_person_events(events) -%}
    select {{ events }}.*
    from {{ events }}
    {%- if builds_selected_persons() %}
    inner join {{ build_persons_relation() }} as build_persons
        on {{ events }}.person_id = build_persons.person_id
    {%- endif -%}
{%- endmacro %}

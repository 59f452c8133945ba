{#- The events a person-keyed incremental mart (re)builds, as a select over the CTE
    `events` (one row per event with person_id): on an incremental run only the events of
    the persons macro incremental_affected_persons finds (from int_events_sessionized,
    against `watermark_column` of {{ this }}); otherwise every event. -#}
{% macro affected_person_events(events, watermark_column) -%}
    {%- if is_incremental() -%}
        select {{ events }}.*
        from {{ events }}
        inner join (
            {{ incremental_affected_persons(
                ref('int_events_sessionized'), watermark_column
            ) | indent(12) }}
        ) as affected_persons
            on {{ events }}.person_id = affected_persons.person_id
    {%- else -%}
        select * from {{ events }}
    {%- endif -%}
{%- endmacro %}

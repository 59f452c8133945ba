{#- The events a person-keyed model (re)builds, as a select over the CTE `events` (one row
    per event with person_id): on an incremental run only the events of the affected
    persons, and in person buckets only those of the bucket being built (both from the
    pre-hook's build_persons_relation()); otherwise every event. -#}
{% macro affected_person_events(events) -%}
    select {{ events }}.*
    from {{ events }}
    {%- if is_incremental() or is_person_bucketed_build() %}
    inner join {{ build_persons_relation() }} as build_persons
        on {{ events }}.person_id = build_persons.person_id
    {%- endif %}
    {%- if is_person_bucketed_build() %}
    where build_persons.person_bucket = (select person_bucket from {{ person_bucket_relation() }})
    {%- endif -%}
{%- endmacro %}

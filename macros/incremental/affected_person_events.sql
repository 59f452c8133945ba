{#- The events a person-keyed incremental model (re)builds, as a select over the CTE
    `events` (one row per event with person_id): on an incremental run only the events of
    the persons the pre-hook store_affected_persons stored; in person buckets (macro
    is_person_bucketed_build) only those of the bucket being built; otherwise every
    event. -#}
{% macro affected_person_events(events) -%}
    select {{ events }}.*
    from {{ events }}
    {%- if is_incremental() %}
    inner join {{ affected_persons_relation() }} as affected_persons
        on {{ events }}.person_id = affected_persons.person_id
    {%- endif %}
    {%- if is_person_bucketed_build() %}
        {%- set person_bucket = person_bucket_relation() %}
    where
        md5({{ events }}.person_id) >= (select lower_md5 from {{ person_bucket }})
        and md5({{ events }}.person_id) < (select upper_md5 from {{ person_bucket }})
    {%- endif -%}
{%- endmacro %}

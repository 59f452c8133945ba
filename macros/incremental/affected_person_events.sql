{#- The events a person-keyed incremental model (re)builds, as a select over the CTE
    `events` (one row per event with person_id): on an incremental run only the events of
    the persons macro incremental_affected_persons finds (in `history`, against
    `watermark_column` of {{ this }}); on a full build in person buckets (macro
    is_person_bucketed_build) the events of the bucket being built; otherwise every
    event. -#}
{% macro affected_person_events(events, watermark_column, history=none) -%}
    {%- if is_incremental() -%}
        select {{ events }}.*
        from {{ events }}
        inner join (
            {{ incremental_affected_persons(
                history or ref('int_events_sessionized'), watermark_column
            ) | indent(12) }}
        ) as affected_persons
            on {{ events }}.person_id = affected_persons.person_id
    {%- elif is_person_bucketed_build() -%}
        {%- set person_bucket = person_bucket_relation() %}
        select {{ events }}.*
        from {{ events }}
        where
            md5({{ events }}.person_id) >= (select lower_md5 from {{ person_bucket }})
            and md5({{ events }}.person_id) < (select upper_md5 from {{ person_bucket }})
    {%- else -%}
        select * from {{ events }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the six person-keyed models: stores the persons the build writes, each with
    its person bucket (macro person_bucket_number), in build_persons_relation(), which
    affected_person_events joins. On an incremental run these are the affected persons
    (macro incremental_affected_persons over `history`, against `watermark_column` of the
    model); on a full build in person buckets, every person in `history`; otherwise no
    table is needed.

    Stored once per build, before the build changes the model: every statement (each
    person bucket) reads the same persons, and md5 runs once per person, not once per event
    and bucket. A stored table also has an exact row count, so the join hashes the
    persons, not the events (inline, DuckDB estimated over a billion affected persons at
    100M events, hashed all 100M events and spilled past the disk). A table left over by an
    interrupted build is dropped either way. -#}
{% macro store_build_persons(watermark_column, history=none) -%}
    {%- if execute -%}
        {%- set relation = build_persons_relation() -%}
        {%- set history = history or ref('int_events_sessionized') -%}
        {%- do drop_relation_if_exists(load_cached_relation(relation)) -%}
        {%- if is_incremental() or is_person_bucketed_build() -%}
            {%- set persons -%}
                {%- if is_incremental() -%}
                    {{ incremental_affected_persons(history, watermark_column) }}
                {%- else -%}
                    select distinct person_id from {{ history }}
                {%- endif -%}
            {%- endset -%}
            {%- set sql -%}
                create table {{ relation }} as
                select
                    person_id,
                    {{ person_bucket_number('person_md5') }} as person_bucket
                from (
                    select person_id, md5(person_id) as person_md5
                    from ({{ persons }}) as persons
                ) as hashed_persons
            {%- endset -%}
            {%- do run_query(sql) -%}
            {%- do adapter.cache_added(relation) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

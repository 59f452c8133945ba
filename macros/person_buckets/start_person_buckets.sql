{#- Person buckets: a build of a person-keyed event model in var person_buckets statements
    instead of one, so that each statement sorts (and, at scale, spills to disk) about
    1/person_buckets of the events it rebuilds. The pre-hook store_build_persons gives
    each person its bucket (macro person_bucket_number, a range of md5(person_id)). A
    person's rows depend only on that person's events (the same property incremental runs
    rely on), so the buckets together give exactly the rows of one statement.

    A bucketed full build: this pre-hook writes bucket number 0 to person_bucket_relation();
    the model's own statement reads it (macro affected_person_events) and builds bucket 0;
    the post-hook build_remaining_person_buckets writes each further number and inserts the
    model's compiled select again.

    A bucketed incremental run replaces rows by key, not only adds them: this pre-hook
    builds buckets 1 onwards into person_bucket_rows_relation(), then writes bucket 0 for
    the model's own statement; the post-hook delete+inserts the stored rows in one
    statement.

    With person_buckets 1 (the default) both hooks render nothing; relations left over by
    an interrupted build are dropped either way. -#}
{% macro start_person_buckets() -%}
    {%- if execute and var('person_buckets') > 1 -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_relation())) -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_rows_relation())) -%}
        {%- if is_person_bucketed_build() -%}
            {%- if is_incremental() -%}
                {%- set rows = person_bucket_rows_relation() -%}
                {%- do insert_remaining_person_buckets(rows, create=true) -%}
                {%- do adapter.cache_added(rows) -%}
            {%- endif -%}
            {%- do write_person_bucket(0) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

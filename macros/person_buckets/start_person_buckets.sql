{#- Person buckets: a build of a person-keyed event model in var person_buckets statements
    instead of one, so that each statement sorts (and, at scale, spills to disk) about
    1/person_buckets of the events it rebuilds. Bucket k holds the persons whose
    md5(person_id) falls in the k-th of person_buckets equal ranges of md5 values. A
    person's rows depend only on that person's events (the same property incremental runs
    rely on), so the buckets together give exactly the rows of one statement.

    A bucketed full build: this pre-hook writes bucket 0's md5 range to
    person_bucket_relation(); the model's own statement reads it (macro
    affected_person_events) and builds bucket 0; the post-hook
    build_remaining_person_buckets writes each further range and inserts the model's
    compiled select again.

    A bucketed incremental run replaces rows by key, not only adds them: this pre-hook
    builds buckets 1 onwards into person_bucket_rows_relation() (of the persons
    store_affected_persons stored), then writes bucket 0's range for the model's own
    statement; the post-hook delete+inserts the stored rows in one statement.

    With person_buckets 1 (the default) both hooks render nothing; relations left over by
    an interrupted build are dropped either way. -#}
{% macro start_person_buckets() -%}
    {%- if execute and var('person_buckets') > 1 -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_relation())) -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_rows_relation())) -%}
        {%- if is_person_bucketed_build() -%}
            {%- if is_incremental() -%}
                {%- set rows = person_bucket_rows_relation() -%}
                {%- for bucket in range(1, var('person_buckets')) -%}
                    {%- do write_person_bucket(bucket) -%}
                    {%- do run_query(
                        ('create table ' if loop.first else 'insert into ') ~ rows
                        ~ (' as\n' if loop.first else '\n') ~ compiled_code
                    ) -%}
                {%- endfor -%}
                {%- do adapter.cache_added(rows) -%}
            {%- endif -%}
            {%- do write_person_bucket(0) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

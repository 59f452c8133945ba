{#- Person buckets: a full build of a person-keyed event model in var person_buckets
    statements instead of one, so that each statement sorts (and, at scale, spills to disk)
    about 1/person_buckets of the events. Bucket k holds the persons whose md5(person_id)
    falls in the k-th of person_buckets equal ranges of md5 values. A person's rows depend
    only on that person's events (the same property incremental runs rely on), so the
    buckets together give exactly the rows of one statement.

    A bucketed full build: this pre-hook writes bucket 0's md5 range to
    person_bucket_relation(); the model's own statement reads it (macro
    affected_person_events) and builds bucket 0; the post-hook
    build_remaining_person_buckets writes each further range and inserts the model's
    compiled select again, then drops the relation. With person_buckets 1 (the default)
    and on incremental runs, both hooks render nothing.

    The pre-hook itself: on a bucketed full build, bucket 0's range; a range left over by
    an interrupted build is dropped either way. -#}
{% macro start_person_buckets() -%}
    {%- if execute and var('person_buckets') > 1 -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_relation())) -%}
        {%- if is_person_bucketed_build() -%}
            {%- do write_person_bucket(0) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

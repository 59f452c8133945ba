{#- Person buckets: a full build of a person-keyed event model in var person_buckets
    statements instead of one, so that each statement sorts (and, at scale, spills to disk)
    about 1/person_buckets of the events. Bucket k holds the persons whose md5(person_id)
    falls in the k-th of person_buckets equal ranges of md5 values. A person's rows depend
    only on that person's events (the same property incremental runs rely on), so the
    buckets together give exactly the rows of one statement.

    How a bucketed full build runs: the pre-hook start_person_buckets writes bucket 0's
    md5 range to person_bucket_relation(); the model's own statement reads it (macro
    affected_person_events) and builds bucket 0; the post-hook
    build_remaining_person_buckets writes each further range and inserts the model's
    compiled select again, then drops the relation. With person_buckets 1 (the default)
    and on incremental runs, these render nothing. -#}

{#- The one-row relation holding the md5 range of the bucket being built, next to the model. -#}
{% macro person_bucket_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__person_bucket'}, type='table')) }}
{%- endmacro %}

{#- True when the model being built is a full build in person buckets (never in a unit
    test, which builds no relation). -#}
{% macro is_person_bucketed_build() -%}
    {{ return(var('person_buckets') > 1 and this is not none and not is_incremental()) }}
{%- endmacro %}

{#- Replaces person_bucket_relation() by one row: the md5 range [lower_md5, upper_md5) of
    bucket `bucket`, as four-hex-digit bounds ('g' above every md5 for the last bucket). -#}
{% macro write_person_bucket(bucket) -%}
    {%- set buckets = var('person_buckets') -%}
    {%- set lower = '%04x' | format(bucket * 65536 // buckets) -%}
    {%- set upper = 'g' if bucket == buckets - 1 else '%04x' | format((bucket + 1) * 65536 // buckets) -%}
    {%- set relation = person_bucket_relation() -%}
    {%- do adapter.drop_relation(relation) -%}
    {#- plain DDL: create_table_as would apply the model's contract to this relation -#}
    {%- do run_query(
        'create table ' ~ relation ~ " as select '" ~ lower ~ "' as lower_md5, '"
        ~ upper ~ "' as upper_md5"
    ) -%}
    {%- do adapter.cache_added(relation) -%}
{%- endmacro %}

{#- Pre-hook: on a bucketed full build, bucket 0's range for the model's own statement; a
    range left over by an interrupted build is dropped either way. -#}
{% macro start_person_buckets() -%}
    {%- if execute and var('person_buckets') > 1 -%}
        {%- do drop_relation_if_exists(load_cached_relation(person_bucket_relation())) -%}
        {%- if is_person_bucketed_build() -%}
            {%- do write_person_bucket(0) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: after the model's statement built bucket 0, inserts every further bucket
    (the model's compiled select, reading the rewritten range), then drops the range. The
    pre-hook's range relation is the signal: it exists only during a bucketed full build
    (is_incremental() cannot tell here, as the model now exists). -#}
{% macro build_remaining_person_buckets() -%}
    {%- set relation = person_bucket_relation() -%}
    {%- if execute and var('person_buckets') > 1 and load_cached_relation(relation) is not none -%}
        {%- for bucket in range(1, var('person_buckets')) -%}
            {%- do write_person_bucket(bucket) -%}
            {%- do run_query('insert into ' ~ this ~ '\n' ~ compiled_code) -%}
        {%- endfor -%}
        {%- do adapter.drop_relation(relation) -%}
    {%- endif -%}
{%- endmacro %}

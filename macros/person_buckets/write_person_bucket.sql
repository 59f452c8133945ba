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

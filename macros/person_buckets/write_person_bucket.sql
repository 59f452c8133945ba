{#- Replaces person_bucket_relation() by one row: the number of the bucket being built. -#}
{% macro write_person_bucket(bucket) -%}
    {%- set relation = person_bucket_relation() -%}
    {%- do adapter.drop_relation(relation) -%}
    {#- plain DDL: create_table_as would apply the model's contract to this relation -#}
    {%- do run_query('create table ' ~ relation ~ ' as select ' ~ bucket ~ ' as person_bucket') -%}
    {%- do adapter.cache_added(relation) -%}
{%- endmacro %}

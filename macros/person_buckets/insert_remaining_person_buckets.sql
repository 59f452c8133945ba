{#- Runs the model's compiled select once per bucket from 1 onwards (writing each bucket
    number first) into `relation`; with `create`, the first of them creates it. The loop
    of both bucketed paths: a full build inserts into the model, an incremental run into
    person_bucket_rows_relation(). -#}
{% macro insert_remaining_person_buckets(relation, create=false) -%}
    {%- for bucket in range(1, var('person_buckets')) -%}
        {%- do write_person_bucket(bucket) -%}
        {%- set statement = 'create table ' ~ relation ~ ' as' if create and loop.first
            else 'insert into ' ~ relation -%}
        {%- do run_query(statement ~ '\n' ~ compiled_code) -%}
    {%- endfor -%}
{%- endmacro %}

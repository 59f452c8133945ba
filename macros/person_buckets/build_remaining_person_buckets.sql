{#- Post-hook: after the model's statement built bucket 0, inserts every further bucket
    (the model's compiled select, reading the rewritten range), then drops the range. The
    pre-hook's range relation is the signal: it exists only during a bucketed full build
    (after the model's statement, is_incremental() no longer describes the build). -#}
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

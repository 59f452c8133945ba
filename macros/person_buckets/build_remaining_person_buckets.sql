{#- Post-hook: after the model's statement built bucket 0, adds every further bucket, then
    drops the bucket relation. An incremental run delete+inserts (by the model's unique_key)
    the rows the pre-hook stored; a full build inserts the model's compiled select once per
    further bucket. The pre-hook's relations are the signal: they exist only during a
    bucketed build (after the model's statement, is_incremental() no longer describes the
    build). -#}
{% macro build_remaining_person_buckets() -%}
    {%- set relation = person_bucket_relation() -%}
    {%- if execute and var('person_buckets') > 1 and load_cached_relation(relation) is not none -%}
        {%- set rows = load_cached_relation(person_bucket_rows_relation()) -%}
        {%- if rows is not none -%}
            {%- do run_query(get_delete_insert_merge_sql(
                this, rows, config.get('unique_key'), adapter.get_columns_in_relation(this), none
            )) -%}
            {%- do adapter.drop_relation(rows) -%}
        {%- else -%}
            {%- do insert_remaining_person_buckets(this) -%}
        {%- endif -%}
        {%- do adapter.drop_relation(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- Records the current rules (macro incremental_rules) as those `relation` is built under,
    and `loaded_until` (a timestamp text, or none) as the newest loaded_at it has read. -#}
{% macro store_incremental_state(relation, loaded_until=none) -%}
    {%- set model_name = relation.schema ~ '.' ~ relation.identifier -%}
    {%- set loaded_until_sql = "cast('" ~ loaded_until ~ "' as " ~ dbt.type_timestamp() ~ ")"
        if loaded_until is not none else 'null' -%}
    {%- do run_query(
        'delete from ' ~ incremental_state_relation() ~ " where model = '" ~ model_name ~ "'"
    ) -%}
    {%- do run_query(
        'insert into ' ~ incremental_state_relation() ~ " (model, rules, loaded_until) values ('"
        ~ model_name ~ "', '" ~ tojson(incremental_rules(), sort_keys=true) | replace("'", "''")
        ~ "', " ~ loaded_until_sql ~ ")"
    ) -%}
{%- endmacro %}

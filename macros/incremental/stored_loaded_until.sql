{#- The loaded_until stored for `relation` (macro store_incremental_state), as a SQL
    timestamp expression: null when none is stored, so every row counts as arrived. -#}
{% macro stored_loaded_until(relation) -%}
    {%- set stored = run_query(
        'select loaded_until from ' ~ incremental_state_relation()
        ~ " where model = '" ~ relation.schema ~ '.' ~ relation.identifier ~ "'"
    ) -%}
    {%- set value = stored.rows[0][0] if stored.rows | length > 0 else none -%}
    {{ return("cast(" ~ ("'" ~ value ~ "'" if value is not none else 'null') ~ " as "
        ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

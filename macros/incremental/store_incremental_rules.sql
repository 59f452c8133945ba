{#- Records the current rules (macro incremental_rules) as those `relation` is built under. -#}
{% macro store_incremental_rules(relation) -%}
    {%- set model_name = relation.schema ~ '.' ~ relation.identifier -%}
    {%- do run_query(
        'delete from ' ~ incremental_rules_relation() ~ " where model = '" ~ model_name ~ "'"
    ) -%}
    {%- do run_query(
        'insert into ' ~ incremental_rules_relation() ~ " (model, rules) values ('" ~ model_name
        ~ "', '" ~ tojson(incremental_rules(), sort_keys=true) | replace("'", "''") ~ "')"
    ) -%}
{%- endmacro %}

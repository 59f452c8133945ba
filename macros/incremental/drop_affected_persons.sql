{#- Post-hook of the person-keyed incremental models: drops the table store_affected_persons
    wrote, once every statement of the run has read it. -#}
{% macro drop_affected_persons() -%}
    {%- if execute -%}
        {%- do drop_relation_if_exists(load_cached_relation(affected_persons_relation())) -%}
    {%- endif -%}
{%- endmacro %}

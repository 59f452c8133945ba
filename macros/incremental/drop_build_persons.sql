{#- Post-hook of the six person-keyed models: drops the table store_build_persons wrote,
    once every statement of the build has read it. -#}
{% macro drop_build_persons() -%}
    {%- if execute -%}
        {%- do drop_relation_if_exists(load_cached_relation(build_persons_relation())) -%}
    {%- endif -%}
{%- endmacro %}

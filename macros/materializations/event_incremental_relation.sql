{#- A helper relation of the materialization, beside the model: <model>__<suffix>. -#}
{% macro event_incremental_relation(suffix) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__' ~ suffix}, type='table')) }}
{%- endmacro %}

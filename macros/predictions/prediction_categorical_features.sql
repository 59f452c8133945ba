{#- The categorical features, one-hot encoded (a term '<column>=<value>' per value seen). -#}
{% macro prediction_categorical_features() -%}
    {{ return(['channel_group', 'device_type']) }}
{%- endmacro %}

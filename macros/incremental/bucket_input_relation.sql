{#- The table `<model>__bucket_input`, beside the model: the copy of its input
    (affected_persons_from) that the event_incremental materialization stores once for a
    build in person buckets. -#}
{% macro bucket_input_relation() -%}
    {{ return(event_incremental_relation('bucket_input')) }}
{%- endmacro %}

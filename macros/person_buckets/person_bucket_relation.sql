{#- The one-row table `<model>__person_bucket`, beside the model: the number of the person
    bucket being built. -#}
{% macro person_bucket_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__person_bucket'}, type='table')) }}
{%- endmacro %}

{#- The one-row relation holding the md5 range of the bucket being built, next to the model. -#}
{% macro person_bucket_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__person_bucket'}, type='table')) }}
{%- endmacro %}

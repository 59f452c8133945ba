{#- The model inputs of the predictive models, in one place: the columns of
    fct_person_features that int_person_feature_values unpivots (ln(1 + x) of each) and the
    models are fit on. See macros/_macros.yml. -#}
{% macro prediction_features() -%}
    {%- set features = ['days_since_last_active', 'tenure_days', 'engagement_score'] -%}
    {%- for window_days in var('prediction_feature_windows_days') | sort -%}
        {%- for measure in prediction_window_measures() -%}
            {%- do features.append(measure ~ '_' ~ window_days ~ 'd') -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}

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

{#- The measures counted over each trailing window (var prediction_feature_windows_days). -#}
{% macro prediction_window_measures() -%}
    {{ return([
        'active_days', 'sessions', 'engaged_sessions', 'page_views', 'conversions', 'revenue',
        'features_used', 'avg_session_seconds'
    ]) }}
{%- endmacro %}

{#- The categorical features, one-hot encoded (a term '<column>=<value>' per value seen). -#}
{% macro prediction_categorical_features() -%}
    {{ return(['channel_group', 'device_type']) }}
{%- endmacro %}

{#- The features the behavioral segments are clustered on: behavior, not account age or the
    score derived from the others. -#}
{% macro prediction_segment_features() -%}
    {%- set features = [] -%}
    {%- for feature in prediction_features() -%}
        {%- if feature not in ['tenure_days', 'engagement_score'] -%}
            {%- do features.append(feature) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}

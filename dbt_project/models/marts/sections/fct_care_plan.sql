{{ section_fact('care_plan') }}

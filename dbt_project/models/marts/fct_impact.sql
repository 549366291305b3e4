{{ section_fact('impact') }}
